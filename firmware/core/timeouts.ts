// Every timeout, interval and retry count of the runtime, in one typed table.
// Components take the table (or a slice of it) as a constructor argument; nothing reads a
// literal duration of its own. Config may override entries (key `timeouts`, a JSON object
// of name → number, validated in firmware/config/json-values.ts).

export const DEFAULT_TIMEOUTS = {
  /** Whole deadline of one pass-code or ID-card verification, request to verified answer. */
  verifyDeadlineMs: 3000,
  /** Deadline of authorize, bind and rebind (rare, may include a TLS handshake). */
  adminDeadlineMs: 10_000,
  /** TCP + TLS connect to the portal. */
  portalConnectMs: 2000,
  /** Idle keep-alive connections are kept this long. */
  portalKeepAliveMs: 60_000,
  /**
   * A portal that announces when it closes an idle connection (`Keep-Alive: timeout=N`) has it
   * dropped this much sooner by the gate, so no request is written into a connection the server
   * is closing at that moment (such a request is lost and has to be sent again on a new one).
   */
  portalKeepAliveMarginMs: 1000,
  /**
   * TCP keep-alive probes on a portal connection left idle this long (then again after each
   * answered probe). Carrier and home NATs silently forget a connection idle for 20–60 s: a
   * request written into it later gets no answer at all, and the scan fails at its deadline. A
   * probe more often than the NAT's timeout keeps the mapping, so the morning's first scan after a
   * quiet spell finds its pooled connection alive. Whole seconds (the kernel's unit).
   */
  portalTcpKeepAliveMs: 10_000,
  /** Refresh the token this long before it expires, in the background. */
  tokenRefreshLeadMs: 60_000,
  /** After a failed background refresh, try again after this long. */
  tokenRefreshRetryMs: 5000,
  /** Re-authorize at most this many times for one request rejected for its token. */
  reauthorizeAttempts: 1,
  /** Accepted difference between a message's timestamp and our corrected clock. */
  replayWindowMs: 120_000,
  /**
   * How long a technician's `bind --scan` waits for a venue code to be scanned. Bind mode also
   * ends as soon as the CLI's connection to the daemon closes.
   */
  bindModeMs: 60_000,
  /** The CLI's wait for the daemon's control socket to answer; also the daemon's probe of an old socket file. */
  controlSocketMs: 2000,
  /**
   * `bind --scan` gives up on a daemon that has not answered after bindModeMs plus
   * adminDeadlineMs (the portal's bind call) plus this; closing its connection ends bind mode.
   */
  bindScanGraceMs: 5000,
  /**
   * After `passgate run` has stopped, or failed to start, the process ends by itself; one that a
   * stuck handle still keeps alive this long afterwards is ended with its exit code, so that the
   * service manager sees the failure and restarts it.
   */
  daemonExitMs: 5000,
  /** Longest selftest light cycle the CLI waits for, on top of controlSocketMs. */
  selftestDisplayMs: 10_000,
  /** Background re-authorize while the portal is failing (the gate stays degraded meanwhile). */
  portalHealthRetryMs: 10_000,
  /** How often a watching config store polls PRAGMA data_version for changes made by another
   * process (the CLI), so the daemon applies them without a restart. */
  configPollMs: 500,
  /** SQLite busy timeout of the config database: how long a write waits for the other
   * process's transaction (CLI vs daemon) before failing with config.storage. */
  configBusyMs: 5000,
  /** First delay before reopening a device that failed to open or went away (doubles each try). */
  driverReopenInitialMs: 100,
  /** Upper bound of the doubling reopen delay. */
  driverReopenMaxMs: 1000,
  /** While a device's path (or HID entry) is absent, check for it this often; reopen when back. */
  driverPathPollMs: 200,
  /**
   * A driver that reports the same state again and again (a device that keeps failing to open):
   * the daemon logs the state once, then at most one line with the count of repeats this often.
   */
  driverStateRepeatLogMs: 300_000,
  /** Serial scanners with no suffix: a pause this long between bytes ends a code. */
  serialInterByteMs: 50,
  /** Serial scanners with a suffix: a frame left open this long without a byte is dropped. */
  serialFrameIdleMs: 500,
  /** HID keyboard-wedge scanners: a code without Enter for this long is dropped as incomplete. */
  hidFrameIdleMs: 500,
  /** A serial scanner's reply to a configuration command must arrive within this. */
  serialCommandReplyMs: 500,
  /**
   * One ID-card reader command, request written to whole reply received. The slowest is read
   * (30 01): the SAM's card session plus 1295 bytes on the wire (~113 ms at 115200 baud).
   */
  idCardCommandMs: 1500,
  /** Extra attempts of one ID-card reader command after a timeout, bad frame or transient SW3. */
  idCardRetries: 2,
  /** Find-card poll interval of the ID-card reader. */
  idCardPollMs: 200,
  /**
   * Display outputs: after a failed write, write again after this long while what the backend has
   * differs from what the player wants (the relay first); the delay doubles up to displayRetryMaxMs.
   */
  displayRetryInitialMs: 100,
  /** Upper bound of the doubling display retry delay. */
  displayRetryMaxMs: 2000,
  /** On shutdown, how long the player keeps retrying the all-off write before releasing the backend. */
  displayCloseMs: 3000,
  /** Serial LED/relay board: wait for `OK`/`PONG` after one command line (ui-led/SERIAL-BOARD.md). */
  serialBoardReplyMs: 250,
  /** Serial LED/relay board: after the board was lost, try to reopen it at most this often. */
  serialBoardReopenMs: 2000,
  /** gpioset holder (`--mode=signal`): a holder still running this long after spawn holds its line. */
  gpiosetSettleMs: 20,
  /** gpioset: a `--mode=exit` run, or a holder's exit after SIGTERM, must end within this. */
  gpiosetExitMs: 1000,
  /** Sysfs GPIO: after writing `export`, wait this long for the line's files to become writable. */
  gpioExportSettleMs: 1000,
  /** Sysfs GPIO: poll interval while waiting for an exported line's files. */
  gpioExportPollMs: 20,
  /**
   * Camera: CPU time one frame may take across the decoder list (QR/Micro QR, Grid Matrix). Once
   * spent, the remaining decoders skip this frame and run first on the next one, and the QR
   * small-code retries stop between crops and go on with the next frame. Frames arriving
   * meanwhile are dropped (latest frame wins). The budget is checked between steps of up to about
   * 10 ms, so 30 ms keeps a frame under 40 ms (`camera_hard_decode_ms_p95`), well inside the
   * 66 ms between frames at 15 fps.
   */
  cameraFrameBudgetMs: 30,
  /** Camera: the same code seen again within this long after it was emitted is not re-emitted. */
  cameraRepeatWindowMs: 3000,
  /** Camera: ffmpeg must deliver its first frame within this after spawn, or the open failed. */
  cameraFirstFrameMs: 5000,
  /** Camera: after SIGTERM, ffmpeg gets this long to exit before SIGKILL. */
  cameraStopGraceMs: 1000,
  /**
   * One `systemd-notify` run (READY=1, WATCHDOG=1, STOPPING=1) must end within this, or it is
   * killed and logged: it waits for the service manager to take the message (its own limit is 5 s).
   */
  serviceNotifyMs: 10_000,
  /**
   * `passgate update commit`: how long the new version has to be running, ready and authorized
   * with the portal (a daemon start, plus a portal retry or two) before the update is rolled back.
   */
  updateCommitMs: 120_000,
  /** `update commit`: how often it asks the daemon's control socket while it waits. */
  updateHealthPollMs: 1000,
  /** `update apply`: the new tree must print its version (`bin/node lib/passgate.mjs --version`) within this. */
  updateSmokeTestMs: 30_000,
  /** `update`: one stop, start or restart of the service (systemctl) must end within this. */
  updateServiceMs: 60_000,
  /** `update apply`: unpacking the artifact (tar) must end within this. */
  updateExtractMs: 300_000,
  /**
   * `update apply|commit|rollback`: how long one waits for another holding the install root's
   * update lock before giving up (`update.busy`). Brief: the holder finishes a rollback by
   * itself if it has to (commit's deadline, a failed restart), so the one that gives up loses
   * nothing.
   */
  updateLockWaitMs: 10_000,
  /** `update`: how often a waiting command tries the update lock again. */
  updateLockPollMs: 100,
} as const satisfies Record<string, number>;

export type TimeoutName = keyof typeof DEFAULT_TIMEOUTS;
export type TimeoutTable = { readonly [K in TimeoutName]: number };

export function timeoutTable(overrides: Partial<TimeoutTable> = {}): TimeoutTable {
  return { ...DEFAULT_TIMEOUTS, ...overrides };
}
