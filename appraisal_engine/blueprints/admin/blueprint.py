"""The admin blueprint object, shared by the modules that add its routes."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
