"""The migration's steps, one module per step, in the order ``deploys.migrate`` runs them:
validate, packages, interfaces, domains, cutover, boot, verify, confirm.

Each module holds one ``@deploy`` function named like the module.  ``validate`` builds the
per-host context (data + facts -> plan) that the later steps read (``context.get_context``).
"""
