#!/usr/bin/python3
"""A test RTSP camera: serves a video file (looping, H.264 stream copy) or a generated pattern.

Used by ingest tests, the ingest benchmark and `sim serve`. Prints `READY <port>` on stdout once
the server listens. Stops on SIGTERM/SIGINT.

Sources:
  --file F      H.264 video file (mp4/mkv/ts); access units are read once and replayed forever
                with continuous timestamps, without re-encoding (so a 1080p camera costs nothing here)
  --pattern     videotestsrc encoded with x264 (cheap at small sizes only)
  --audio-only  an audio stream and no video (a "non-video stream")
  --garbage     random bytes announced as H.264 (a "corrupt stream")
"""
import argparse
import os
import signal
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def read_access_units(path):
    """Demuxes the file once into H.264 access units (byte-stream, SPS/PPS repeated at IDR)."""
    pipeline = Gst.parse_launch(
        f'filesrc location="{path}" ! parsebin ! h264parse config-interval=-1 ! '
        'video/x-h264,stream-format=byte-stream,alignment=au ! appsink name=sink sync=false'
    )
    sink = pipeline.get_by_name('sink')
    pipeline.set_state(Gst.State.PLAYING)
    units = []
    fps = None
    while True:
        sample = sink.emit('pull-sample')
        if sample is None:
            break
        if fps is None:
            caps = sample.get_caps().get_structure(0)
            ok, num, den = caps.get_fraction('framerate')
            if ok and num > 0:
                fps = num / den
        buf = sample.get_buffer()
        ok, info = buf.map(Gst.MapFlags.READ)
        if ok:
            units.append((bytes(info.data), not buf.has_flags(Gst.BufferFlags.DELTA_UNIT)))
            buf.unmap(info)
    bus = pipeline.get_bus()
    msg = bus.pop_filtered(Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if msg is not None:
        err, _ = msg.parse_error()
        raise RuntimeError(f'cannot read {path}: {err.message}')
    if not units:
        raise RuntimeError(f'no H.264 video in {path}')
    return units, fps or 25.0


class AppSrcFactory(GstRtspServer.RTSPMediaFactory):
    """Each client gets its own media fed from memory by an appsrc (file replay or garbage)."""

    def __init__(self, launch, feeder):
        super().__init__()
        self.launch = launch
        self.feeder = feeder

    def do_create_element(self, url):
        return Gst.parse_launch(self.launch)

    def do_configure(self, media):
        appsrc = media.get_element().get_child_by_name('src')
        state = {'n': 0}
        appsrc.connect('need-data', lambda src, _len: self.feeder(src, state))


def file_feeder(units, fps):
    duration = int(Gst.SECOND / fps)

    def feed(src, state):
        n = state['n']
        data, _key = units[n % len(units)]
        buf = Gst.Buffer.new_wrapped(data)
        buf.pts = n * duration
        buf.dts = n * duration
        buf.duration = duration
        state['n'] = n + 1
        src.emit('push-buffer', buf)

    return feed


def garbage_feeder(fps):
    duration = int(Gst.SECOND / fps)

    def feed(src, state):
        n = state['n']
        # A start code, then a NAL header byte and noise: parsers see NAL units that never decode.
        data = b'\x00\x00\x00\x01' + bytes([0x65 if n % 25 == 0 else 0x41]) + os.urandom(4000)
        buf = Gst.Buffer.new_wrapped(data)
        buf.pts = n * duration
        buf.dts = n * duration
        buf.duration = duration
        state['n'] = n + 1
        src.emit('push-buffer', buf)

    return feed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--path', default='/cam')
    ap.add_argument('--user')
    ap.add_argument('--password')
    ap.add_argument('--file')
    ap.add_argument('--pattern', action='store_true')
    ap.add_argument('--audio-only', action='store_true')
    ap.add_argument('--garbage', action='store_true')
    ap.add_argument('--width', type=int, default=320)
    ap.add_argument('--height', type=int, default=240)
    ap.add_argument('--fps', type=int, default=25)
    ap.add_argument('--gop', type=int, default=25, help='pattern keyframe interval, frames')
    args = ap.parse_args()

    Gst.init(None)
    pay = 'rtph264pay name=pay0 pt=96 config-interval=-1'
    if args.file:
        units, fps = read_access_units(args.file)
        caps = 'video/x-h264,stream-format=byte-stream,alignment=au'
        factory = AppSrcFactory(
            f'( appsrc name=src is-live=true format=time do-timestamp=false caps="{caps}" ! h264parse ! {pay} )',
            file_feeder(units, fps),
        )
    elif args.garbage:
        caps = 'video/x-h264,stream-format=byte-stream,alignment=au,width=320,height=240,framerate=25/1'
        factory = AppSrcFactory(
            f'( appsrc name=src is-live=true format=time do-timestamp=false caps="{caps}" ! {pay} )',
            garbage_feeder(25),
        )
    elif args.audio_only:
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch('( audiotestsrc is-live=true ! audioconvert ! alawenc ! rtppcmapay name=pay0 pt=8 )')
    else:
        factory = GstRtspServer.RTSPMediaFactory()
        # The clock overlay needs the pango plugin (Debian: gstreamer1.0-x), often not installed on
        # servers; the moving ball alone still makes every frame different.
        overlay = 'timeoverlay ! ' if Gst.ElementFactory.find('timeoverlay') else ''
        factory.set_launch(
            f'( videotestsrc is-live=true pattern=ball ! '
            f'video/x-raw,width={args.width},height={args.height},framerate={args.fps}/1 ! '
            f'{overlay}x264enc tune=zerolatency speed-preset=ultrafast key-int-max={args.gop} '
            f'bitrate=800 ! video/x-h264,profile=baseline ! {pay} )'
        )
    factory.set_shared(False)

    server = GstRtspServer.RTSPServer()
    server.set_service(str(args.port))
    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string('media.factory.role', 'camera-user')
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password or ''), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role('camera-user', 'media.factory.access', True)
        permissions.add_permission_for_role('camera-user', 'media.factory.construct', True)
        factory.set_permissions(permissions)
    server.get_mount_points().add_factory(args.path, factory)
    if server.attach(None) == 0:
        print(f'cannot listen on port {args.port}', file=sys.stderr)
        sys.exit(2)

    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    # Exit with the parent: a test runner killed hard must not leave cameras behind.
    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_HUP | GLib.IO_ERR, lambda *_: loop.quit() or False)
    print(f'READY {server.get_bound_port()}', flush=True)
    loop.run()


if __name__ == '__main__':
    main()
