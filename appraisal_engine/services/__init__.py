"""Use cases that write: each takes a Session, does one thing, and leaves the commit to
its caller unless it says otherwise."""
