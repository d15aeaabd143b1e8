"""Peer reviews of entities' environmental profiles (issue 18, part 2). The domain: bot/peer_review/service.py."""
