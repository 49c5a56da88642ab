"""The test kit: one set of fixtures and factories for every app's tests.

`civicgrid.testing.fixtures` is a pytest plugin (registered in the root conftest.py): the
fixtures every app uses — `tree`, `departments`, `users`, `garbage`/`clutter`, `api`,
`client_for`, `outbox`, `clock`, `media_files`, `demo_world` … — and the fast password hasher.
Plain helpers are imported from the modules:

* `factories` — factory_boy factories, `make_tree()`, `assign_post()`;
* `world` — points inside make_tree()'s micro-grids (`IN_MICRO`, `OUTSIDE`), `local()`
  datetimes in Shanghai time, `category(family, code)`;
* `cases` — `report()` and `case_in_state(state, users, …)`, a case walked through
  `cases.services` to any state of the loop;
* `people` — households and residents with valid ID numbers;
* `images` — PNG/JPEG/WebP bytes, noise, EXIF GPS, decompression-bomb headers, uploads;
* `clock` — a settable clock on time-machine;
* `browser` — the Playwright fixtures (another plugin).
"""
