#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""A file system that forgets what was not fsynced, for power-cut tests.

It lives in memory and is mounted with FUSE. Every file and folder has two
states: the live one, which processes read and write, and the durable one,
which is what a disk would still hold after the power went. A power cut
("cut") throws the live state away and remounts the durable one.

Two models of what an fsync makes durable:

  posix  strictly what POSIX promises. fsync of a file makes its bytes durable,
         and nothing about its name. fsync of a folder makes its entries
         (creates, renames, unlinks inside it) durable. A file whose name was
         never made durable is gone after a cut; a name whose file's bytes were
         never synced holds what was last synced (a new file: nothing).
  ext4   ext4 in its default mode (data=ordered, auto_da_alloc): any fsync
         commits the journal, so every folder's entries become durable at
         once; a file's bytes still need its own fsync, except that a rename
         over an existing file flushes the renamed file's bytes at the next
         commit.

The test drives it through stdin and stdout, one JSON object a line:

  {"cmd": "arm", "at": K}   cut at the K-th changing operation from now: the
                            durable state as it stood just before that
                            operation is what the next "cut" brings back
  {"cmd": "count"}          -> {"ops": N, "syncs": [K, ...]}: changing operations
                            since "arm", and which of them were fsyncs (only
                            those change what is durable, so a cut just before
                            each of them, and one after the last, are all the
                            states a power cut can leave)
  {"cmd": "freeze"}         the durable state now is what "cut" brings back
  {"cmd": "cut"}            unmount, bring back the frozen (or armed, or
                            current) durable state, mount again
  {"cmd": "save"}           keep the live state, as if it were all on disk
  {"cmd": "restore"}        unmount, bring back the saved state, mount again
  {"cmd": "exit"}           unmount and stop

It answers each command with one line, and writes {"event": "mounted"} each
time the file system is mounted. Processes must have closed their files
before "cut" or "exit" (the unmount waits for them, for a few seconds).
"""

import errno
import json
import os
import queue
import stat
import subprocess
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations


def now_ns():
    return time.time_ns()


class Node:
    """A file or a folder: its live state and its durable state."""

    __slots__ = ('kind', 'mode', 'links', 'data', 'durable_data', 'entries',
                 'durable_entries', 'flush_on_commit', 'mtime', 'ctime', 'atime')

    def __init__(self, kind, mode):
        self.kind = kind
        self.mode = mode
        self.links = 0
        self.data = bytearray() if kind == 'file' else None
        self.durable_data = b'' if kind == 'file' else None
        self.entries = {} if kind == 'dir' else None
        self.durable_entries = {} if kind == 'dir' else None
        self.flush_on_commit = False
        self.mtime = self.ctime = self.atime = now_ns()

    def touch(self):
        self.mtime = self.ctime = now_ns()


def freeze(root, live=False):
    """The durable (or live) state reachable from `root`, as immutable tuples (hard links kept as shared tuples)."""
    memo = {}

    def walk(node):
        key = id(node)
        if key in memo:
            return memo[key]
        if node.kind == 'file':
            frozen = ('file', node.mode, bytes(node.data) if live else node.durable_data)
            memo[key] = frozen
        else:
            children = {}
            frozen = ('dir', node.mode, children)
            memo[key] = frozen
            for name, child in (node.entries if live else node.durable_entries).items():
                children[name] = walk(child)
        return frozen

    return walk(root)


def thaw(frozen):
    """A live tree, durable as it stands, from a frozen state."""
    memo = {}

    def walk(item):
        key = id(item)
        if key in memo:
            return memo[key]
        kind, mode, content = item
        node = Node(kind, mode)
        memo[key] = node
        if kind == 'file':
            node.data = bytearray(content)
            node.durable_data = content
        else:
            for name, child in content.items():
                child_node = walk(child)
                child_node.links += 1
                node.entries[name] = child_node
            node.durable_entries = dict(node.entries)
        return node

    root = walk(frozen)
    root.links = 1
    return root


# Operations that change the live state: each one is a moment a cut can fall on.
CHANGING = {'create', 'mkdir', 'write', 'truncate', 'unlink', 'rmdir', 'rename',
            'link', 'fsync', 'fsyncdir', 'chmod', 'utimens'}


class ForgetfulFs(Operations):
    use_ns = True
    # Operations on a file already unlinked (SQLite's, ours) come with its handle and no path.
    flag_nullpath_ok = 1

    def __init__(self, model, emit):
        self.model = model
        self.emit = emit
        self.mutex = threading.Lock()
        self.root = Node('dir', stat.S_IFDIR | 0o755)
        self.root.links = 1
        self.handles = {}
        self.next_handle = 1
        self.ops = 0
        self.sync_ops = []
        self.armed_at = None
        self.frozen = None
        self.saved = freeze(self.root, live=True)

    # --- the test's controls -------------------------------------------------

    def arm(self, at):
        with self.mutex:
            self.ops = 0
            self.sync_ops = []
            self.armed_at = at
            self.frozen = None

    def count(self):
        with self.mutex:
            return {'ops': self.ops, 'syncs': list(self.sync_ops)}

    def freeze_now(self):
        with self.mutex:
            self.frozen = freeze(self.root)
            self.armed_at = None

    def save(self):
        """Keeps the live state, as if all of it were on disk, for "restore"."""
        with self.mutex:
            self.saved = freeze(self.root, live=True)

    def cut(self, restore=False):
        """Throws the live state away: the frozen state, or the durable one now, is all there is."""
        with self.mutex:
            if restore:
                frozen = self.saved
            else:
                frozen = self.frozen if self.frozen is not None else freeze(self.root)
            self.root = thaw(frozen)
            self.handles.clear()
            self.frozen = None
            self.armed_at = None
            self.ops = 0
            self.sync_ops = []

    # --- dispatch ------------------------------------------------------------

    def __call__(self, op, *args):
        with self.mutex:
            if op in CHANGING:
                self.ops += 1
                if op in ('fsync', 'fsyncdir'):
                    self.sync_ops.append(self.ops)
                if self.armed_at is not None and self.ops == self.armed_at:
                    # The power goes just before this operation: what is durable now is what survives.
                    self.frozen = freeze(self.root)
                    self.armed_at = None
            method = getattr(self, op, None)
            if method is None:
                raise FuseOSError(errno.ENOSYS)
            return method(*args)

    # --- lookups -------------------------------------------------------------

    def _lookup(self, path):
        node = self.root
        for part in path.split('/'):
            if part == '':
                continue
            if node.kind != 'dir':
                raise FuseOSError(errno.ENOTDIR)
            child = node.entries.get(part)
            if child is None:
                raise FuseOSError(errno.ENOENT)
            node = child
        return node

    def _parent(self, path):
        head, _, name = path.rstrip('/').rpartition('/')
        parent = self._lookup(head or '/')
        if parent.kind != 'dir':
            raise FuseOSError(errno.ENOTDIR)
        return parent, name

    def _node(self, path, fh):
        if fh is not None and fh in self.handles:
            return self.handles[fh]
        if path is None:
            raise FuseOSError(errno.EBADF)
        return self._lookup(path)

    def _handle(self, node):
        fh = self.next_handle
        self.next_handle += 1
        self.handles[fh] = node
        return fh

    # --- durability ----------------------------------------------------------

    def _commit_journal(self):
        """ext4: a commit makes every folder's entries durable, and the bytes of files renamed over others."""
        seen = set()
        stack = [self.root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if node.kind == 'dir':
                node.durable_entries = dict(node.entries)
                stack.extend(node.entries.values())
            elif node.flush_on_commit:
                node.durable_data = bytes(node.data)
                node.flush_on_commit = False

    def fsync(self, path, datasync, fh):
        node = self._node(path, fh)
        if node.kind == 'file':
            node.durable_data = bytes(node.data)
        else:
            node.durable_entries = dict(node.entries)
        if self.model == 'ext4':
            self._commit_journal()
        return 0

    def fsyncdir(self, path, datasync, fh):
        node = self._lookup(path)
        node.durable_entries = dict(node.entries)
        if self.model == 'ext4':
            self._commit_journal()
        return 0

    # --- attributes ----------------------------------------------------------

    def getattr(self, path, fh=None):
        node = self._node(path, fh)
        if node.kind == 'dir':
            nlink = 2 + sum(1 for child in node.entries.values() if child.kind == 'dir')
            size = 4096
        else:
            nlink = max(node.links, 0)
            size = len(node.data)
        return {
            'st_mode': node.mode,
            'st_nlink': nlink,
            'st_size': size,
            'st_blocks': (size + 511) // 512,
            'st_uid': os.getuid(),
            'st_gid': os.getgid(),
            'st_mtime': node.mtime,
            'st_ctime': node.ctime,
            'st_atime': node.atime,
        }

    def chmod(self, path, mode):
        node = self._lookup(path)
        node.mode = (node.mode & ~0o7777) | (mode & 0o7777)
        node.ctime = now_ns()
        return 0

    def chown(self, path, uid, gid):
        return 0

    def utimens(self, path, times=None):
        node = self._lookup(path)
        if times is None:
            node.atime = node.mtime = now_ns()
        else:
            node.atime, node.mtime = times
        return 0

    def access(self, path, amode):
        self._lookup(path)
        return 0

    def statfs(self, path):
        return {'f_bsize': 4096, 'f_frsize': 4096, 'f_blocks': 1 << 24, 'f_bfree': 1 << 23,
                'f_bavail': 1 << 23, 'f_files': 1 << 20, 'f_ffree': 1 << 19, 'f_namemax': 255}

    # --- folders -------------------------------------------------------------

    def readdir(self, path, fh):
        node = self._lookup(path)
        return ['.', '..'] + list(node.entries.keys())

    def mkdir(self, path, mode):
        parent, name = self._parent(path)
        if name in parent.entries:
            raise FuseOSError(errno.EEXIST)
        node = Node('dir', stat.S_IFDIR | (mode & 0o7777))
        node.links = 1
        parent.entries[name] = node
        parent.touch()
        return 0

    def rmdir(self, path):
        parent, name = self._parent(path)
        node = parent.entries.get(name)
        if node is None:
            raise FuseOSError(errno.ENOENT)
        if node.kind != 'dir':
            raise FuseOSError(errno.ENOTDIR)
        if node.entries:
            raise FuseOSError(errno.ENOTEMPTY)
        del parent.entries[name]
        node.links = 0
        parent.touch()
        return 0

    # --- names ---------------------------------------------------------------

    def create(self, path, mode, fi=None):
        parent, name = self._parent(path)
        node = parent.entries.get(name)
        if node is None:
            node = Node('file', stat.S_IFREG | (mode & 0o7777))
            node.links = 1
            parent.entries[name] = node
            parent.touch()
        elif node.kind == 'dir':
            raise FuseOSError(errno.EISDIR)
        return self._handle(node)

    def open(self, path, flags):
        node = self._lookup(path)
        return self._handle(node)

    def opendir(self, path):
        self._lookup(path)
        return 0

    def release(self, path, fh):
        self.handles.pop(fh, None)
        return 0

    def flush(self, path, fh):
        return 0

    def unlink(self, path):
        parent, name = self._parent(path)
        node = parent.entries.get(name)
        if node is None:
            raise FuseOSError(errno.ENOENT)
        if node.kind == 'dir':
            raise FuseOSError(errno.EISDIR)
        del parent.entries[name]
        node.links -= 1
        node.ctime = now_ns()
        parent.touch()
        return 0

    def rename(self, old, new):
        old_parent, old_name = self._parent(old)
        new_parent, new_name = self._parent(new)
        node = old_parent.entries.get(old_name)
        if node is None:
            raise FuseOSError(errno.ENOENT)
        replaced = new_parent.entries.get(new_name)
        if replaced is node:
            return 0
        if replaced is not None:
            if replaced.kind == 'dir':
                if node.kind != 'dir':
                    raise FuseOSError(errno.EISDIR)
                if replaced.entries:
                    raise FuseOSError(errno.ENOTEMPTY)
            elif node.kind == 'dir':
                raise FuseOSError(errno.ENOTDIR)
            replaced.links -= 1
            if node.kind == 'file':
                # ext4's auto_da_alloc: replacing a file by rename flushes the new one's bytes with the next commit.
                node.flush_on_commit = True
        del old_parent.entries[old_name]
        new_parent.entries[new_name] = node
        node.ctime = now_ns()
        old_parent.touch()
        new_parent.touch()
        return 0

    def link(self, target, source):
        node = self._lookup(source)
        if node.kind == 'dir':
            raise FuseOSError(errno.EPERM)
        parent, name = self._parent(target)
        if name in parent.entries:
            raise FuseOSError(errno.EEXIST)
        parent.entries[name] = node
        node.links += 1
        node.ctime = now_ns()
        parent.touch()
        return 0

    def symlink(self, target, source):
        raise FuseOSError(errno.EPERM)

    # --- bytes ---------------------------------------------------------------

    def read(self, path, size, offset, fh):
        node = self._node(path, fh)
        if node.kind != 'file':
            raise FuseOSError(errno.EISDIR)
        return bytes(node.data[offset:offset + size])

    def write(self, path, data, offset, fh):
        node = self._node(path, fh)
        buf = node.data
        end = offset + len(data)
        if offset > len(buf):
            buf.extend(b'\0' * (offset - len(buf)))
        buf[offset:end] = data
        node.touch()
        return len(data)

    def truncate(self, path, length, fh=None):
        node = self._node(path, fh)
        if node.kind != 'file':
            raise FuseOSError(errno.EISDIR)
        if length < len(node.data):
            del node.data[length:]
        else:
            node.data.extend(b'\0' * (length - len(node.data)))
        node.touch()
        return 0

    def init(self, path):
        self.emit({'event': 'mounted'})


def main():
    model, mountpoint = sys.argv[1], sys.argv[2]
    if model not in ('posix', 'ext4'):
        sys.exit('model must be posix or ext4')
    out_lock = threading.Lock()

    def emit(message):
        with out_lock:
            sys.stdout.write(json.dumps(message) + '\n')
            sys.stdout.flush()

    fs = ForgetfulFs(model, emit)
    after_unmount = queue.Queue()

    def unmount():
        # A killed process's files are released by the kernel a moment later; on a
        # loaded machine that can take a while. Past the deadline the mount is
        # detached lazily, so the test goes on (and says so) instead of hanging.
        deadline = time.monotonic() + 30
        while True:
            result = subprocess.run(['umount', mountpoint], capture_output=True, text=True)
            if result.returncode == 0:
                return
            if time.monotonic() > deadline:
                sys.stderr.write('forgetful_fs: umount failed (%s); detaching lazily\n' % result.stderr.strip())
                subprocess.run(['umount', '-l', mountpoint], capture_output=True, text=True)
                return
            time.sleep(0.05)

    def commands():
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            command = json.loads(line)
            cmd = command.get('cmd')
            if cmd == 'arm':
                fs.arm(int(command['at']))
                emit({'ok': True})
            elif cmd == 'count':
                emit(fs.count())
            elif cmd == 'freeze':
                fs.freeze_now()
                emit({'ok': True})
            elif cmd == 'save':
                fs.save()
                emit({'ok': True})
            elif cmd in ('cut', 'restore', 'exit'):
                after_unmount.put(cmd)
                unmount()
                if cmd == 'exit':
                    return
            else:
                emit({'error': 'unknown command ' + str(cmd)})
        after_unmount.put('exit')
        unmount()

    threading.Thread(target=commands, daemon=True).start()
    options = dict(foreground=True, nothreads=True, fsname='forgetful', hard_remove=True,
                   big_writes=True, entry_timeout=0, attr_timeout=0, negative_timeout=0)
    while True:
        FUSE(fs, mountpoint, **options)
        action = after_unmount.get()
        if action == 'exit':
            emit({'ok': True})
            return
        fs.cut(restore=action == 'restore')


if __name__ == '__main__':
    main()
