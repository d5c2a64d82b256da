"""Tests of the inspection rules."""
