"""The project's pytest suite (a package, so that its helpers import as `tests.support...`)."""
