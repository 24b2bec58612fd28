# swop's shell integration for xonsh. Add to ~/.xonshrc:
#
#     execx($(swop init xonsh))
#
# It defines `swop`: `swop use NAME` switches this shell to a profile, `swop off`
# switches it back, and every other subcommand runs the swop binary.
#
# The switched shell has SWOP_PROFILE set, for a prompt segment.

import shutil as _swop_shutil
import subprocess as _swop_subprocess
import sys as _swop_sys

_swop_exe = @SWOP_EXE@


def _swop_run(argv, stdin, stdout, stderr, env=None):
    """Run argv in this shell's environment, with the streams xonsh gives the
    alias (a redirection, a pipe)."""
    env = ${...}.detype() if env is None else env
    return _swop_subprocess.run(argv, stdin=stdin, stdout=stdout, stderr=stderr, env=env)


def _swop(args, stdin=None, stdout=None, stderr=None):
    if args and args[0] in ('use', 'off'):
        # swop reads the words and prints the exports; this only runs them.
        # On error swop prints nothing, and its message goes to stderr.
        env = ${...}.detype()
        env['SWOP_SHELL_FUNCTION'] = 'xonsh'
        run = _swop_run([_swop_exe, *args], stdin, _swop_subprocess.PIPE, stderr, env)
        if run.returncode == 0:
            execx(run.stdout.decode('utf-8', 'surrogateescape'))
        return run.returncode
    # Which integration runs swop (swop doctor says so).
    env = ${...}.detype()
    env['SWOP_INTEGRATION'] = 'xonsh'
    return _swop_run([_swop_exe, *args], stdin, stdout, stderr, env).returncode


aliases['swop'] = _swop


def _swop_candidates(words):
    """swop's own completions for `words` (the last is the one being typed):
    (value, description) pairs, profile names included."""
    env = ${...}.detype()
    env['COMPLETE'] = 'fish'
    run = _swop_subprocess.run(
        [_swop_exe, '--', *words], env=env, stdout=_swop_subprocess.PIPE,
        stderr=_swop_subprocess.DEVNULL,
    )
    if run.returncode != 0:
        return []
    lines = run.stdout.decode('utf-8', 'surrogateescape').splitlines()
    return [tuple((line.split('\t', 1) + [''])[:2]) for line in lines if line]


def _swop_completer_install():
    from xonsh.completers.completer import add_one_completer
    from xonsh.completers.tools import RichCompletion, contextual_command_completer_for

    @contextual_command_completer_for('swop')
    def swop_complete(command):
        words = [arg.value for arg in command.args[: command.arg_index]] + [command.prefix]
        return {
            RichCompletion(value, description=description)
            for value, description in _swop_candidates(words)
        }

    add_one_completer('swop', swop_complete, 'start')


_swop_completer_install()


def _swop_wrapper(tool):
    """An alias that runs `tool` through `swop exec` in a swop profile."""

    def wrapper(args, stdin=None, stdout=None, stderr=None):
        if 'SWOP_PROFILE' in ${...}:
            argv = [_swop_exe, 'exec', $SWOP_PROFILE, '--', tool, *args]
            env = ${...}.detype()
            env['SWOP_WRAPPED'] = '1'
            return _swop_run(argv, stdin, stdout, stderr, env).returncode
        # The program itself, past this alias.
        program = _swop_shutil.which(tool, path=':'.join($PATH))
        if program is None:
            print(f'xonsh: {tool}: command not found', file=stderr or _swop_sys.stderr)
            return 127
        return _swop_run([program, *args], stdin, stdout, stderr).returncode

    return wrapper

# @SWOP_WRAPPERS@
