"""Diagnostic builds for bench/breakdown: each stops the proxy's work for a message after one part.

    python3 variants.py VARIANT PROJECT_DIR   (edits PROJECT_DIR's sources in place: a scratch copy, never src/)

protocol        the SMTP session alone: DATA is read and checked as always, then thrown away, and the client
                hears 250 at once (no spool, no delivery).
spool           the session and the spool: the message is written and committed (group commit, synced), then
                taken back out of the spool at once, as a delivery would after its upstream's 250.
spool-unsynced  the same without the sync: each group, and the only session's message, released without flushing.

Every edit names the text it replaces and fails when that text is gone, so a change to the code makes this
script stop rather than measure something else.
"""
import pathlib
import sys


def replace(project, file, old, new):
    path = project / file
    text = path.read_text()
    if text.count(old) != 1:
        sys.exit(f"variants.py: {file} no longer holds, once, the text to replace:\n{old}")
    path.write_text(text.replace(old, new))


SESSION = "Inbound/SmtpSession.cs"
COMMITTER = "Spool/SpoolCommitter.cs"


def protocol(project):
    replace(project, SESSION, "            entry = _spool.Begin(envelope);\n", "")
    replace(project, SESSION, "            entry.Write(ReceivedHeader.Build(", "            _ = (ReceivedHeader.Build(")
    replace(project, SESSION, "if (refusal is null && filter.ShouldWrite(content))", "if (entry is not null && refusal is null && filter.ShouldWrite(content))")
    replace(project, SESSION, "                    await entry!.CommitAsync(envelope, alone: _security.Limits.IsOnlySession);", "                    await Task.CompletedTask;")
    replace(project, SESSION, "            _acknowledged = envelope.QueueId;\n", "")


def spool(project):
    replace(project, SESSION, "            _acknowledged = envelope.QueueId;",
            "            if (_spool.Load(envelope.QueueId) is { } loaded) _spool.Remove(loaded);")


def spool_unsynced(project):
    spool(project)
    replace(project, COMMITTER, "            if (group is [{ NameDurable: true } alone])",
            "            if (group.Count > 0)\n            {\n            }\n            else if (group is [{ NameDurable: true } alone])")
    # The only session's message, synced on its own thread (SpoolCommitter.CommitHere).
    replace(project, COMMITTER, "            _flushFile(file);\n            return Task.CompletedTask;", "            return Task.CompletedTask;")


VARIANTS = {"protocol": protocol, "spool": spool, "spool-unsynced": spool_unsynced}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in VARIANTS:
        sys.exit(f"usage: variants.py {{{'|'.join(VARIANTS)}}} PROJECT_DIR")
    VARIANTS[sys.argv[1]](pathlib.Path(sys.argv[2]))
