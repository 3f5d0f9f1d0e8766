"""For `scrapyd-deploy`, which builds its egg with `python setup.py bdist_egg`: everything
(packages, data files, the `scrapy` settings entry point) comes from pyproject.toml."""

from setuptools import setup

setup()
