# scrapyd-deploy builds its egg with `python setup.py bdist_egg`; everything else about the
# package (name, dependencies, the Scrapy settings entry point) lives in pyproject.toml.
from setuptools import setup

setup()
