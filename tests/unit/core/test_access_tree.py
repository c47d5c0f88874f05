from erp.core.access import _with_descendants


class TestWithDescendants:
    def test_includes_children_and_grandchildren(self):
        edges = [(1, None), (2, 1), (3, 2), (4, None), (5, 4)]

        assert _with_descendants([2], edges) == {2, 3}
        assert _with_descendants([1, 4], edges) == {1, 2, 3, 4, 5}

    def test_survives_a_cycle_in_the_data(self):
        edges = [(1, 2), (2, 1)]

        assert _with_descendants([1], edges) == {1, 2}

    def test_grants_nothing_for_nothing(self):
        assert _with_descendants([], [(1, None)]) == frozenset()
