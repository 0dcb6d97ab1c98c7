"""Many facts in one SSH round trip.

pyinfra runs one remote command per ``host.get_fact``; a deploy that reads a dozen facts per
host pays a dozen round trips even when there is nothing to do.  ``gather`` runs the commands
of several facts as one shell script (each fact's output between markers), processes each
section with the fact's own ``process`` and keeps the values; ``fact`` serves them.

A kept value is what the host looked like when it was read: served while pyinfra prepares
the run (nothing changes the host then), and while it executes only for hosts that the
caller marked as unchanged (``keep_while_executing``).  Anything else, or a fact whose
section failed (non-zero exit, missing command, unparsable output), goes through
``host.get_fact`` as usual, so errors are reported by pyinfra the usual way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from pyinfra.api.arguments import CONNECTOR_ARGUMENT_KEYS, pop_global_arguments
from pyinfra.api.command import StringCommand
from pyinfra.api.exceptions import DeployError, FactProcessError
from pyinfra.api.facts import FactBase
from pyinfra.context import state as pyinfra_state

T = TypeVar("T")
# (fact class, its keyword arguments)
Call = tuple[type[FactBase[Any]], dict[str, Any]]

MARK = "@@ovs-hypervisor-fact"
# the fact's required command is missing (pyinfra's own guard prints the same)
_MISSING = "##PYINFRA_NOCMD##"

# host name -> fact key -> value
_KEPT: dict[str, dict[str, Any]] = {}
_STABLE: dict[str, bool] = {}


def key(cls: type[FactBase[Any]], kwargs: dict[str, Any]) -> str:
    return f"{cls.__module__}.{cls.__name__}{sorted(kwargs.items())!r}"


def _command(cls: type[FactBase[Any]], kwargs: dict[str, Any]) -> StringCommand:
    fact = cls()
    command = fact.command(**kwargs) if callable(fact.command) else fact.command
    required = fact.requires_command(**kwargs) if callable(fact.requires_command) else None
    if not required:
        return StringCommand(command)
    return StringCommand(
        "if command -v",
        required,
        ">/dev/null 2>&1; then (",
        command,
        f"); else echo '{_MISSING}'; fi",
    )


def batch_script(commands: Sequence[StringCommand]) -> StringCommand:
    """One script: each command in a subshell, its output between numbered markers."""
    parts: list[Any] = []
    for i, command in enumerate(commands):
        parts += [f"echo '{MARK} {i}';", "(", command, ");"]
        # a newline first: the command's output may not end with one
        parts += [f"printf '\\n{MARK} {i} rc %s\\n' $?;"]
    return StringCommand(*parts)


def split_sections(lines: Sequence[str], count: int) -> dict[int, tuple[int, list[str]]]:
    """index -> (exit code, output lines) of each complete section of ``batch_script``."""
    sections: dict[int, tuple[int, list[str]]] = {}
    current: int | None = None
    body: list[str] = []
    for line in lines:
        words = line.split()
        if len(words) == 2 and words[0] == MARK and words[1].isdigit():
            current, body = int(words[1]), []
        elif (
            current is not None
            and len(words) == 4
            and words[:3] == [MARK, str(current), "rc"]
            and words[3].isdigit()
        ):
            if body and body[-1] == "":  # the newline printed before the marker
                body.pop()
            sections[current] = (int(words[3]), body)
            current = None
        elif current is not None:
            body.append(line)
    return {i: s for i, s in sections.items() if i < count}


def _process(cls: type[FactBase[Any]], rc: int, lines: list[str]) -> tuple[bool, Any]:
    """(True, value) as pyinfra's get_fact would give it, or (False, None): ask it instead."""
    if rc != 0 or lines == [_MISSING]:
        return False, None
    fact = cls()
    if not lines:
        return True, fact.default()
    try:
        return True, fact.process(lines)
    except FactProcessError:
        return False, None


def gather(host: Any, calls: Sequence[Call]) -> dict[str, Any]:
    """Read every fact of ``calls`` in one remote command; keep and return what was read
    (by ``key``).  Facts that could not be read this way are left to ``host.get_fact``."""
    if not host.connected:
        host.connect(reason="to read the host's state", raise_exceptions=True)
    global_kwargs, _ = pop_global_arguments(
        pyinfra_state, host, dict(host.current_op_global_arguments or {})
    )
    executor = {k: v for k, v in global_kwargs.items() if k in CONNECTOR_ARGUMENT_KEYS}
    try:
        status, output = host.run_shell_command(
            batch_script([_command(cls, kwargs) for cls, kwargs in calls]),
            print_output=pyinfra_state.print_fact_output,
            print_input=pyinfra_state.print_fact_input,
            **executor,
        )
    except EOFError:  # pyinfra asked for the sudo password and nobody can type it
        raise DeployError(
            sudo_refusal(host, executor, ["sudo: a password is required"]) or "no password"
        ) from None
    if not status and (refusal := sudo_refusal(host, executor, output.stderr_lines)):
        raise DeployError(refusal)
    found: dict[str, Any] = {}
    if status:
        for i, (rc, lines) in split_sections(output.stdout_lines, len(calls)).items():
            cls, kwargs = calls[i]
            ok, value = _process(cls, rc, lines)
            if ok:
                found[key(cls, kwargs)] = value
    remember(host, found)
    return found


def sudo_refusal(host: Any, executor: dict[str, Any], stderr: Sequence[str]) -> str | None:
    """One paragraph when ``--sudo`` cannot run commands as root (None: another failure)."""
    said = next((line.strip() for line in stderr if "sudo" in line.lower()), None)
    if not executor.get("_sudo") or said is None:
        return None
    user = host.data.get("ssh_user") or "the SSH user"
    return (
        f"host {host.name!r}: --sudo cannot run commands as root for {user} ({said}); "
        f"fix: give {user} passwordless sudo (a line `{user} ALL=(ALL) NOPASSWD: ALL` in "
        "/etc/sudoers.d/), or connect as root. Nothing on the host was changed."
    )


def remember(host: Any, values: dict[str, Any]) -> None:
    """Keep values read by other means (e.g. derived from a larger fact)."""
    _KEPT.setdefault(host.name, {}).update(values)


def keep_while_executing(host: Any, keep: bool) -> None:
    """Whether the kept values still hold when pyinfra executes (the run changes nothing)."""
    _STABLE[host.name] = keep


def fact(host: Any, cls: type[FactBase[T]], **kwargs: Any) -> T:
    """``host.get_fact(cls, **kwargs)``, served from what ``gather`` kept when it holds."""
    kept = _KEPT.get(host.name, {})
    k = key(cls, kwargs)
    if k in kept and (not pyinfra_state.is_executing or _STABLE.get(host.name, False)):
        value: T = kept[k]
        return value
    return host.get_fact(cls, **kwargs)  # type: ignore[no-any-return]
