"""`govinspect`: the command-line tool. It talks only to the gateway, over HTTP."""
