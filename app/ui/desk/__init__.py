"""The desk: the controller the launch (main.py) hands the window to. It opens the store, signs in,
locks, and wires the sync to the window; `controller.Desk` is made of those parts:

- `opening`: the store opened in a worker (`open_services`), the login dialog of an encrypted store, the
  open store attached to the window, then the chores once the Cases list is up;
- `signing_in`: the first, online login (a new laptop, or a plain store encrypted in place), the
  head-office password asked again, signing out, the login for a scripted start (`--secret-stdin`);
- `locking`: idle minutes or Ctrl+L wipe the keys and hide the window until it is unlocked;
- `sync_wiring`: the head-office sync controller for the open store and what its rounds change;
- `warmup`: cyclic garbage collection paused and modules imported ahead so the GUI thread stays free.

Every module here keeps Qt and the store stack out of its top-level imports: main.py imports the desk
before the window shows, and what loads then loads before the first paint.
"""
