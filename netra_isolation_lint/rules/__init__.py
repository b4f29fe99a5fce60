"""The rule families, one module each: its handlers, its ``Rule`` records and their documentation together.

A family module may define ``RULES`` (its records), ``ON`` / ``ON_LEAVE`` (node type -> handlers),
``PROJECT_CHECKS`` (module facts + project -> findings) and ``WIDE_CHECKS`` (project -> findings). It imports
only :mod:`..model`, :mod:`..config` and :mod:`.rule`; :mod:`..registry` collects the families.
"""
