"""Local emulators of the CRMs: real HTTP servers that behave like the real APIs, and their data.

The shared base, used by `connectors.zoho.emulator` and `connectors.fxiaoke.emulator`:

- `app.Emulator`: the ASGI app base (dispatch, faults, request log, admin API, state export)
- `serve.running(app)`: uvicorn on an ephemeral loopback port in a thread, for tests;
  `serve.bind` + `serve.serve_forever` for the CLI
- `faults.FaultPlan`: latency, throttling, 5xx, timeouts, failed batch rows, slow pages
- `admin`: the `/__admin` routes (listed in its docstring)
- `store.ModuleStore`: rows by id with (modified, id), (created, id) and id indexes
- `clock.EmulatorClock`: real time plus an offset tests can advance
- `world`: generated companies, people, deals and managers with ground truth
"""
