"""``fourcast bench``: what each protocol costs, side by side, against its framework's ceiling.

A tool over the servers, like ``compare`` and ``probe``: it reaches them with the same flags
(or starts them), drives them with h2load and with the four real clients, and reads each
server process's own accounting from its bench endpoints (see ``services/core/ceiling.py``).
"""
