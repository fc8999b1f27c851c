"""Deploying one environment's committed artifacts to a SignalWire space (`confc plan`, `confc apply`).

Only `space` talks to SignalWire, through the SDK's REST client, which is imported there and
only there: every other command runs without the deploy extra installed.
"""
