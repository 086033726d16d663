"""Facts about the datasets that ship inside scikit-learn, for rendering.

Copier's interpreter has no scikit-learn, so the few facts the templates need
(task type, feature names, observed ranges) are kept here as data. They were
read from scikit-learn 1.9's bundled files; the generated project's own tests
check that its API schema matches the data it loads.
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from copier_template_extensions import ContextHook


class Feature(NamedTuple):
    """One input column: its scikit-learn name, observed range and meaning."""

    label: str
    minimum: float
    maximum: float
    meaning: str = ""

    @property
    def name(self) -> str:
        """Python identifier of the column, as the generated ``data.py`` makes it."""
        return to_identifier(self.label)

    @property
    def title(self) -> str:
        """What a person reads: the meaning if given, else the label made readable.

        ``"sepal length (cm)"`` -> ``"Sepal length (cm)"``,
        ``"malic_acid"`` -> ``"Malic acid"``.
        """
        text = self.meaning or self.label.replace("_", " ")
        return text[:1].upper() + text[1:]

    @property
    def bounds(self) -> tuple[float, float]:
        """Accepted input range: the observed range widened by its span each way.

        Features that are never negative keep a lower bound of zero.
        """
        span = self.maximum - self.minimum
        lower = self.minimum - span
        if self.minimum >= 0:
            lower = max(0.0, lower)
        return round_to_significant(lower), round_to_significant(self.maximum + span)


class DatasetInfo(NamedTuple):
    """What the templates need to know about one bundled dataset."""

    task: str
    title: str
    features: tuple[Feature, ...]


def to_identifier(label: str) -> str:
    """``"sepal length (cm)"`` -> ``"sepal_length_cm"`` (same rule as data.py)."""
    return re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_")


def round_to_significant(value: float, digits: int = 3) -> float:
    """Round ``value`` to ``digits`` significant digits (0 stays 0)."""
    if value == 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


DATASETS: dict[str, DatasetInfo] = {
    "iris": DatasetInfo(
        "classification",
        "Iris flowers",
        (
            Feature("sepal length (cm)", 4.3, 7.9),
            Feature("sepal width (cm)", 2.0, 4.4),
            Feature("petal length (cm)", 1.0, 6.9),
            Feature("petal width (cm)", 0.1, 2.5),
        ),
    ),
    "wine": DatasetInfo(
        "classification",
        "Wine cultivars",
        (
            Feature("alcohol", 11.03, 14.83),
            Feature("malic_acid", 0.74, 5.8),
            Feature("ash", 1.36, 3.23),
            Feature("alcalinity_of_ash", 10.6, 30.0),
            Feature("magnesium", 70.0, 162.0),
            Feature("total_phenols", 0.98, 3.88),
            Feature("flavanoids", 0.34, 5.08),
            Feature("nonflavanoid_phenols", 0.13, 0.66),
            Feature("proanthocyanins", 0.41, 3.58),
            Feature("color_intensity", 1.28, 13.0),
            Feature("hue", 0.48, 1.71),
            Feature("od280/od315_of_diluted_wines", 1.27, 4.0),
            Feature("proline", 278.0, 1680.0),
        ),
    ),
    "breast_cancer": DatasetInfo(
        "classification",
        "Breast cancer diagnosis",
        (
            Feature("mean radius", 6.981, 28.11),
            Feature("mean texture", 9.71, 39.28),
            Feature("mean perimeter", 43.79, 188.5),
            Feature("mean area", 143.5, 2501.0),
            Feature("mean smoothness", 0.05263, 0.1634),
            Feature("mean compactness", 0.01938, 0.3454),
            Feature("mean concavity", 0.0, 0.4268),
            Feature("mean concave points", 0.0, 0.2012),
            Feature("mean symmetry", 0.106, 0.304),
            Feature("mean fractal dimension", 0.04996, 0.09744),
            Feature("radius error", 0.1115, 2.873),
            Feature("texture error", 0.3602, 4.885),
            Feature("perimeter error", 0.757, 21.98),
            Feature("area error", 6.802, 542.2),
            Feature("smoothness error", 0.001713, 0.03113),
            Feature("compactness error", 0.002252, 0.1354),
            Feature("concavity error", 0.0, 0.396),
            Feature("concave points error", 0.0, 0.05279),
            Feature("symmetry error", 0.007882, 0.07895),
            Feature("fractal dimension error", 0.0008948, 0.02984),
            Feature("worst radius", 7.93, 36.04),
            Feature("worst texture", 12.02, 49.54),
            Feature("worst perimeter", 50.41, 251.2),
            Feature("worst area", 185.2, 4254.0),
            Feature("worst smoothness", 0.07117, 0.2226),
            Feature("worst compactness", 0.02729, 1.058),
            Feature("worst concavity", 0.0, 1.252),
            Feature("worst concave points", 0.0, 0.291),
            Feature("worst symmetry", 0.1565, 0.6638),
            Feature("worst fractal dimension", 0.05504, 0.2075),
        ),
    ),
    "diabetes": DatasetInfo(
        "regression",
        "Diabetes progression",
        (
            # scikit-learn's copy is mean-centred and scaled: values are small.
            Feature("age", -0.1072, 0.1107, "age (scaled)"),
            Feature("sex", -0.04464, 0.05068, "sex (scaled)"),
            Feature("bmi", -0.09028, 0.1706, "body mass index (scaled)"),
            Feature("bp", -0.1124, 0.132, "mean blood pressure (scaled)"),
            Feature("s1", -0.1268, 0.1539, "total serum cholesterol (scaled)"),
            Feature("s2", -0.1156, 0.1988, "low-density lipoproteins (scaled)"),
            Feature("s3", -0.1023, 0.1812, "high-density lipoproteins (scaled)"),
            Feature("s4", -0.07639, 0.1852, "total cholesterol / HDL (scaled)"),
            Feature("s5", -0.1261, 0.1336, "log of serum triglycerides (scaled)"),
            Feature("s6", -0.1378, 0.1356, "blood sugar level (scaled)"),
        ),
    ),
}


def dataset_info(name: str) -> DatasetInfo:
    """Return the facts about a bundled dataset by its ``dataset`` answer."""
    return DATASETS[name]


class DatasetFacts(ContextHook):
    """Copier context hook: ``dataset_facts``, the chosen dataset's facts.

    Computed once per render from the ``dataset`` answer, so that templates
    write ``dataset_facts.title`` rather than calling a filter each time.
    """

    def hook(self, context: dict[str, Any]) -> None:
        """Add ``dataset_facts`` in place once ``dataset`` has a known answer."""
        if context.get("dataset") in DATASETS:
            context["dataset_facts"] = DATASETS[context["dataset"]]
