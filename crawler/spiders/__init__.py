"""Spiders: discovery of article pages for one or more outlet profiles."""
