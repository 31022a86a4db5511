from tests.meetings.support import admin, secretariat  # noqa: F401  (fixtures)
