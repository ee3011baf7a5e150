# Local shim for the manual fidelity check only (pyRFC3339 is not in Debian).
from datetime import datetime
def parse(s, utc=False, produce_naive=False):
    return datetime.fromisoformat(s.replace("Z", "+00:00"))
def generate(dt, utc=True, accept_naive=False, microseconds=False):
    return dt.isoformat()
