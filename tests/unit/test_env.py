"""The settings parsers: what an admin gets from each environment variable, and the error naming
the variable when a value cannot be understood."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from argo_docs.settings.env import env_bool, env_choice, env_int, env_list, env_path, env_str

# env_str


def test_env_str_returns_the_value_without_surrounding_spaces():
    """GIVEN SITE_URL set with stray spaces around it
    WHEN it is read
    THEN the admin gets the value itself, trimmed."""
    value = env_str("SITE_URL", "http://127.0.0.1:8000", environ={"SITE_URL": "  https://x.ru "})

    assert value == "https://x.ru"


@pytest.mark.parametrize("environ", [{}, {"EMAIL_HOST": ""}, {"EMAIL_HOST": "   "}])
def test_env_str_falls_back_to_the_default_when_unset_or_blank(environ):
    """GIVEN EMAIL_HOST missing, empty or only spaces
    WHEN it is read
    THEN the default is used."""
    assert env_str("EMAIL_HOST", "localhost", environ=environ) == "localhost"


def test_env_str_without_default_is_none_when_unset():
    """GIVEN SECRET_KEY not set and no default
    WHEN it is read
    THEN the result is None, so the caller can tell it is missing."""
    assert env_str("SECRET_KEY", environ={}) is None


def test_env_str_reads_the_process_environment_by_default(monkeypatch):
    """GIVEN a variable set in the process environment
    WHEN it is read without an explicit mapping
    THEN the process environment is used."""
    monkeypatch.setenv("ARGO_TEST_ENV_STR", "from-process")

    assert env_str("ARGO_TEST_ENV_STR", "default") == "from-process"


# env_bool


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "Yes", "on", " true "])
def test_env_bool_understands_true_spellings(raw):
    """GIVEN DJANGO_DEBUG set to a usual spelling of "true" (any case, spaces around)
    WHEN it is read with default False
    THEN it is True."""
    assert env_bool("DJANGO_DEBUG", False, environ={"DJANGO_DEBUG": raw}) is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "No", "off"])
def test_env_bool_understands_false_spellings(raw):
    """GIVEN ARGO_HTTPS set to a usual spelling of "false"
    WHEN it is read with default True
    THEN it is False."""
    assert env_bool("ARGO_HTTPS", True, environ={"ARGO_HTTPS": raw}) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_gives_the_default(default):
    """GIVEN the variable is not set
    WHEN it is read
    THEN the default is returned unchanged."""
    assert env_bool("ARGO_HTTPS", default, environ={}) is default


def test_env_bool_rejects_an_unknown_word_naming_the_variable():
    """GIVEN DJANGO_DEBUG=maybe
    WHEN it is read
    THEN startup fails with an error naming DJANGO_DEBUG and the bad value."""
    with pytest.raises(ImproperlyConfigured) as error:
        env_bool("DJANGO_DEBUG", False, environ={"DJANGO_DEBUG": "maybe"})

    assert "DJANGO_DEBUG" in str(error.value)
    assert "'maybe'" in str(error.value)


# env_int


def test_env_int_parses_an_integer():
    """GIVEN EMAIL_PORT=587 (with spaces)
    WHEN it is read
    THEN the port is the integer 587."""
    assert env_int("EMAIL_PORT", 25, environ={"EMAIL_PORT": " 587 "}) == 587


@pytest.mark.parametrize("environ", [{}, {"EMAIL_PORT": ""}])
def test_env_int_unset_or_empty_gives_the_default(environ):
    """GIVEN EMAIL_PORT missing or empty
    WHEN it is read
    THEN the default port is used."""
    assert env_int("EMAIL_PORT", 25, environ=environ) == 25


@pytest.mark.parametrize("raw", ["abc", "2.5", "10 workers"])
def test_env_int_rejects_a_non_integer_naming_the_variable(raw):
    """GIVEN Q_WORKERS set to something that is not an integer
    WHEN it is read
    THEN the error names Q_WORKERS and says an integer is expected."""
    with pytest.raises(ImproperlyConfigured) as error:
        env_int("Q_WORKERS", 2, environ={"Q_WORKERS": raw})

    assert "Q_WORKERS" in str(error.value)
    assert "integer" in str(error.value)
    assert repr(raw) in str(error.value)


def test_env_int_below_the_minimum_is_rejected_naming_the_variable():
    """GIVEN Q_WORKERS=0 where at least one worker is required
    WHEN it is read with minimum=1
    THEN the error names Q_WORKERS and the minimum."""
    with pytest.raises(ImproperlyConfigured) as error:
        env_int("Q_WORKERS", 2, minimum=1, environ={"Q_WORKERS": "0"})

    assert "Q_WORKERS" in str(error.value)
    assert "at least 1" in str(error.value)


def test_env_int_at_the_minimum_is_accepted():
    """GIVEN DB_CONN_MAX_AGE=0 with minimum 0
    WHEN it is read
    THEN 0 is accepted (the boundary is inclusive)."""
    assert env_int("DB_CONN_MAX_AGE", 60, minimum=0, environ={"DB_CONN_MAX_AGE": "0"}) == 0


def test_env_int_negative_is_accepted_without_a_minimum():
    """GIVEN a negative value and no minimum
    WHEN it is read
    THEN the negative integer is returned."""
    assert env_int("OFFSET", 0, environ={"OFFSET": "-3"}) == -3


# env_list


def test_env_list_splits_on_commas_and_trims_items():
    """GIVEN ALLOWED_HOSTS with spaces and an empty item between commas
    WHEN it is read
    THEN each host is listed once, trimmed, without empty entries."""
    environ = {"ALLOWED_HOSTS": " docs.example.com , ,www.example.com,"}

    assert env_list("ALLOWED_HOSTS", [], environ=environ) == ["docs.example.com", "www.example.com"]


def test_env_list_unset_gives_a_copy_of_the_default():
    """GIVEN ALLOWED_HOSTS not set
    WHEN it is read
    THEN the default hosts are returned, and changing the result leaves the default intact."""
    default = ["127.0.0.1", "localhost"]

    hosts = env_list("ALLOWED_HOSTS", default, environ={})

    assert hosts == ["127.0.0.1", "localhost"]
    hosts.append("evil.example.com")
    assert default == ["127.0.0.1", "localhost"]


def test_env_list_set_but_empty_means_no_items():
    """GIVEN CSRF_TRUSTED_ORIGINS set to an empty string
    WHEN it is read with a non-empty default
    THEN the admin's explicit "none" wins: the list is empty."""
    environ = {"CSRF_TRUSTED_ORIGINS": ""}

    assert env_list("CSRF_TRUSTED_ORIGINS", ["https://a.example"], environ=environ) == []


# env_path


def test_env_path_unset_or_empty_gives_the_default(tmp_path):
    """GIVEN MEDIA_ROOT missing or empty
    WHEN it is read
    THEN the default path is used as is."""
    default = tmp_path / "media"

    assert env_path("MEDIA_ROOT", default, environ={}) == default
    assert env_path("MEDIA_ROOT", default, environ={"MEDIA_ROOT": ""}) == default


def test_env_path_makes_a_relative_path_absolute(tmp_path, monkeypatch):
    """GIVEN MEDIA_ROOT=uploads/files, relative to the working directory
    WHEN it is read
    THEN the path is absolute, under the working directory."""
    monkeypatch.chdir(tmp_path)

    path = env_path("MEDIA_ROOT", Path("/nonexistent"), environ={"MEDIA_ROOT": "uploads/files"})

    assert path.is_absolute()
    assert path == tmp_path.resolve() / "uploads" / "files"


def test_env_path_expands_the_home_directory(tmp_path, monkeypatch):
    """GIVEN ARGO_VAR_DIR=~/argo
    WHEN it is read
    THEN "~" is the user's home directory."""
    monkeypatch.setenv("HOME", str(tmp_path))

    path = env_path("ARGO_VAR_DIR", Path("/nonexistent"), environ={"ARGO_VAR_DIR": "~/argo"})

    assert path == tmp_path.resolve() / "argo"


# env_choice


def test_env_choice_accepts_an_allowed_value():
    """GIVEN LOG_LEVEL=WARNING
    WHEN it is read with the allowed levels
    THEN WARNING is returned."""
    levels = {"DEBUG", "INFO", "WARNING", "ERROR"}

    assert env_choice("LOG_LEVEL", "INFO", levels, environ={"LOG_LEVEL": "WARNING"}) == "WARNING"


def test_env_choice_unset_gives_the_default():
    """GIVEN LOG_LEVEL not set
    WHEN it is read
    THEN the default level is used."""
    assert env_choice("LOG_LEVEL", "INFO", {"INFO", "ERROR"}, environ={}) == "INFO"


def test_env_choice_rejects_an_unknown_value_listing_the_allowed_ones():
    """GIVEN LOG_LEVEL=VERBOSE, which is not a level
    WHEN it is read
    THEN the error names LOG_LEVEL, the bad value and every allowed value."""
    with pytest.raises(ImproperlyConfigured) as error:
        env_choice("LOG_LEVEL", "INFO", {"INFO", "ERROR"}, environ={"LOG_LEVEL": "VERBOSE"})

    message = str(error.value)
    assert "LOG_LEVEL" in message
    assert "'VERBOSE'" in message
    assert "ERROR, INFO" in message


@pytest.mark.parametrize("default", [True, False])
def test_bool_left_empty_keeps_the_default(default):
    """GIVEN ARGO_HTTPS= left empty in an env file
    THEN the default applies (an empty line never silently turns HTTPS hardening off)."""
    assert env_bool("ARGO_HTTPS", default, environ={"ARGO_HTTPS": ""}) is default
    assert env_bool("ARGO_HTTPS", default, environ={"ARGO_HTTPS": "  "}) is default


def test_choice_can_ignore_case():
    value = env_choice(
        "LOG_LEVEL", "INFO", {"INFO", "DEBUG"}, upper=True, environ={"LOG_LEVEL": "debug"}
    )
    assert value == "DEBUG"
