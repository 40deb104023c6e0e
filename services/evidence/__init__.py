"""Evidence measured on the wire: ``fourcast compare``, ``fourcast probe`` and the README table.

Every number and verdict here comes from bytes seen by a recording TCP proxy placed between a
client and a server (:class:`~services.evidence.wire.WireRecorder`); nothing is typed in per
protocol.
"""
