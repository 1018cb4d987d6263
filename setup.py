"""Package definition: what `make` installs into .venv and what Beam workers install
with `--setup_file ./setup.py` (Beam builds an sdist of it; Dataflow workers pip-install that).

configs/ ships as the package `configs` (its YAML files as package data), so an installed
copy finds configs/default.yaml beside pipeline/ and transforms/ in site-packages and runs
from any folder without the source tree. Requirements are compatible ranges, so the package
co-installs with others; requirements.lock holds the exact set the tests ran with (the
Makefile installs with it as constraints).
"""

from setuptools import find_packages, setup

INSTALL_REQUIRES = [
    "apache-beam>=2.77.0,<3",
    "pyarrow>=25.0.1,<26",  # apache-beam 2.77 requires pyarrow<26
    "trafilatura>=2.3.1,<3",
    "htmldate>=1.11.0,<2",  # page dates with their time of day (trafilatura's own dependency)
    "feedparser>=6.0.14,<7",
    "langdetect>=1.0.9,<2",
    "ftfy>=6.3.1,<7",
    "duckdb>=2.0.0,<3",
    "xxhash>=4.1.0,<5",
    "PyYAML>=6.0.3,<7",
    "requests>=2.34.2,<3",
    "charset-normalizer>=3.5.2,<4",
    "protego>=0.7.0,<1",  # robots.txt by RFC 9309
    "pydantic>=2.14.4,<3",  # config validation (transforms/common/settings.py)
    "lxml>=6.1.3,<7",  # imported directly (feeds parsed with entities off, page trees)
    "numpy>=2.4.6,<2.5",  # fingerprints (apache-beam 2.77 requires numpy<2.5)
    "urllib3>=2.8.0,<3",  # the fetch guard connects to the address it checked
    "lxml_html_clean>=0.4.6,<1",  # trafilatura (justext) imports lxml.html.clean, split out of lxml 5.2
    "pymorphy3>=2.0.6,<3",  # Russian quote speakers' names in the nominative (transforms/quotes/russian.py)
    "zstandard>=0.25.0,<1",  # rows packed while they wait in the runner (transforms/common/beam.py)
]

TEST_REQUIRES = [
    "pytest==9.2.0",
    "pytest-httpserver==1.2.0",
    "ruff==0.17.6",
    # the packaging test builds the wheel and sdist offline (--no-build-isolation): the build tools
    # must be in the venv (Python 3.12+ venvs come without setuptools)
    "setuptools>=65.5",
    "wheel==0.45.1",
    "moto[server]==5.2.5",  # an S3-protocol server on 127.0.0.1 for the s3:// tests
    "boto3==1.44.8",  # Beam's s3:// file system (apache-beam[aws])
]

setup(
    name="newspipe",
    version="0.1.0",
    description="News ingestion pipeline on Apache Beam: files and feeds in, Hive-partitioned Parquet out",
    python_requires=">=3.10",
    packages=[*find_packages(include=["pipeline", "pipeline.*", "transforms", "transforms.*"]), "configs"],
    package_dir={"configs": "configs"},
    package_data={"configs": ["*.yaml", "*.yml", "*.txt", "*.json", "**/*.yaml", "**/*.txt", "**/*.json"]},
    include_package_data=False,
    install_requires=INSTALL_REQUIRES,
    extras_require={
        "test": TEST_REQUIRES,
        "gcp": ["apache-beam[gcp]>=2.77.0,<3"],  # gs:// paths, Dataflow, BigQuery
        "aws": ["apache-beam[aws]>=2.77.0,<3"],  # s3:// paths
    },
    entry_points={"console_scripts": ["newspipe = pipeline.cli:main"]},
)
