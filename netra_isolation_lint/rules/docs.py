"""Rule documentation in ruff's shape; rendered to docs/rules/<code>.md and printed by --explain."""

NIL101 = """
## What it does
TBD
"""

NIL102 = """
## What it does
TBD
"""

NIL103 = """
## What it does
TBD
"""

NIL104 = """
## What it does
TBD
"""

NIL201 = """
## What it does
TBD
"""

NIL202 = """
## What it does
TBD
"""

NIL203 = """
## What it does
TBD
"""

NIL301 = """
## What it does
TBD
"""

NIL302 = """
## What it does
TBD
"""

NIL401 = """
## What it does
TBD
"""

NIL402 = """
## What it does
TBD
"""

NIL900 = """
## What it does
TBD
"""

NIL901 = """
## What it does
TBD
"""

NIL902 = """
## What it does
TBD
"""

