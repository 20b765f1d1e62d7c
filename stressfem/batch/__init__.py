"""Many cases at once: parameter sweeps, batch runs on one machine, SLURM job arrays.

* :mod:`.dotted`  -- read and set case.toml values by dotted path (``stages[0].final_temperature_C``)
* :mod:`.sweep`   -- SWEEP.toml -> ordinary case directories (product or zip of values)
* :mod:`.cases`   -- case discovery (directories, globs, sweep folders) and the "complete" rule
* :mod:`.runner`  -- run cases as child processes, status file, resume, ``--jobs``/``--np``
* :mod:`.table`   -- the key results of many cases as one CSV and JSON table
* :mod:`.slurm`   -- a SLURM job-array script, one array task per case
* :mod:`.aggregate` -- mean and 95 % confidence interval over one sweep parameter (seeds)
"""
