"""Package definition: what `make` installs into .venv and what Beam workers install
with `--setup_file ./setup.py`."""

from setuptools import find_packages, setup

INSTALL_REQUIRES = [
    "apache-beam==2.77.0",
    "pyarrow==25.0.1",
    "trafilatura==2.3.1",
    "feedparser==6.0.14",
    "langdetect==1.0.9",
    "ftfy==6.3.1",
    "duckdb==2.0.0",
    "xxhash==4.1.0",
    "PyYAML==6.0.3",
    "requests==2.34.2",
    "charset-normalizer==3.5.2",
    "lxml_html_clean==0.4.6",  # trafilatura (justext) imports lxml.html.clean, split out of lxml 5.2
]

TEST_REQUIRES = [
    "pytest==9.2.0",
    "pytest-httpserver==1.2.0",
    "ruff==0.17.6",
    "moto[server]==5.2.5",  # an S3-protocol server on 127.0.0.1 for the object-store tests
    "boto3==1.44.8",
]

# Object stores: `pip install '.[aws]'` for s3://, `'.[gcp]'` for gs:// paths.
AWS_REQUIRES = ["apache-beam[aws]==2.77.0"]
GCP_REQUIRES = ["apache-beam[gcp]==2.77.0"]

setup(
    name="newspipe",
    version="0.1.0",
    description="News ingestion pipeline on Apache Beam: files and feeds in, Hive-partitioned Parquet out",
    python_requires=">=3.10",
    packages=find_packages(include=["pipeline", "pipeline.*", "transforms", "transforms.*"]),
    install_requires=INSTALL_REQUIRES,
    extras_require={"test": [*TEST_REQUIRES, *AWS_REQUIRES], "aws": AWS_REQUIRES, "gcp": GCP_REQUIRES},
)
