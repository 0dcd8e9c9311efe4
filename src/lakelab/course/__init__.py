"""The course itself: one entry per week, and the names, data, contracts and prices its labs share.

``lakelab.course.weeks`` is the one table of weeks: the curriculum, the resources each lab lists,
the prerequisites its Setup cell rebuilds, teardown's sweepers and grading's preloads all derive
from it. The other modules here (naming, datasets, contracts, costs, prerequisites) are imported
on their own, so that reading the table stays cheap.
"""

from lakelab.course.weeks import WEEKS, Key, Week, key_of, ready, swept_kinds, week

__all__ = ["WEEKS", "Key", "Week", "key_of", "ready", "swept_kinds", "week"]
