"""`consultbot console`: the bot's own Bolt listeners driven from a terminal, on a demo workspace.

shell (the prompt and its commands) → session (signed requests to Bolt, waiting, printing) →
payloads (Slack's request bodies); workspace + views + files (the Web API the bot calls, served
by webapi on 127.0.0.1); render + text + form (Block Kit, mrkdwn and modal inputs as text).
"""
