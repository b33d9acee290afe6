"""The ``stageplanner`` commands, one module per group; :mod:`planner.cli` puts them together.

:mod:`.common` holds what every command shares (the language option, exit codes, the mapping of
outcomes to messages, loading a scenario); :mod:`.solve` (solve, demo, compare),
:mod:`.scenario` (generate, validate), :mod:`.bench`, :mod:`.serve` and :mod:`.whatif` (sweep,
marginal, bench-sweep) each define their commands on their own ``app``, which the entry
module adds to the command line without a group name; :mod:`.opendata` is the group ``import``
(``import duo``).
"""
