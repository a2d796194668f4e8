"""``bootspec memmap check``: a sweep of models over a corpus of real machine maps.

Built on top of the pipeline (:mod:`bootspec.pipeline`) and the importers and the
binding (:mod:`bootspec.memmap`); nothing below it imports this package.

    rows.py    the reports, plain data that crosses process boundaries, and their JSON
    sample.py  one reachable run to show where nothing is violated
    reuse.py   what a sweep carries from machine to machine (and from run to run)
    run.py     one machine (:func:`~bootspec.sweep.run.check_machine`), many machines
               in order or on a process pool (:func:`~bootspec.sweep.run.check_machines`)
    report.py  the reports rendered as text, Markdown or JSON
    cli.py     the command: its arguments, inputs, progress bar and exit status
"""
