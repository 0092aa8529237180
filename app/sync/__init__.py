"""Sync with head office: REST client, outbox push, cursor pull, attachments. No Qt here.

`SyncEngine(store, client).run()` does one full round (push, attachments, pull, deferred removals)
and returns a `SyncReport`. Everything it changes locally is written in short transactions that
leave the store consistent if the process dies between any two of them.
"""
