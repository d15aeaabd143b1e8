"""`consultbot console`: the bot's own Bolt listeners driven from a terminal, on a demo workspace.

shell (the prompt and its commands) → session (signed requests to Bolt, waiting, printing) →
payloads (Slack's request bodies); workspace (the Slack double of bot/slack_double/ on 127.0.0.1,
with the demo's people and channels, recording what each person sees) + files (file inputs, shared
files saved to a folder); render + text + form (Block Kit, mrkdwn and modal inputs as text).
"""
