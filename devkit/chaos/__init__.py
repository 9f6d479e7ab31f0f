"""Chaos suite: an engine killed and an API misbehaving at random (seeded) moments, then the sink checked.

plan (the schedule from a seed) -> attacks (kills, faults, user churn) -> campaign (the runs) -> verify (the
sink, the secrets) -> summary (the table); engine_process is the engine each run starts; cli is the command.
"""
