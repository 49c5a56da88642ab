# The test kit (civicgrid/testing): the fixtures every app's tests share — the world (tree,
# departments, users, categories), API and web clients, the outbox, the clock, the demo world
# built once per module — and the settings every test runs with; the browser fixtures (browser,
# page, phone_page) for the Playwright tests; the order the suite runs in (long tests first).
pytest_plugins = [
    "civicgrid.testing.fixtures",
    "civicgrid.testing.schedule",
    "civicgrid.testing.browser",
]
