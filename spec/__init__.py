"""The cnnspec specification, shipped as package data (``cnnspec.spec``); conv2d.md is the text."""
