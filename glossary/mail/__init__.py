"""Every e-mail the glossary sends, in one place. Plain text only, so nothing a user typed can run
in a mail reader.

`proposals.py` is the workflow's mail (to approvers when a proposal waits for them, to authors on
decisions), `watching.py` the mail of watching (a change as it happens, the daily digest, an
approver's reminder), and `tasks.py` the `mail` queue's tasks, which send the first kind and a
change's immediate watch notices once the change has committed.
"""
