/** Shown when the control API answers 401: how to get in. The desktop app never shows it. */
export function SignInHelp() {
  return (
    <main className="page signin">
      <div className="panel">
        <h1>Sign in to the bench</h1>
        <p>This page needs the control token of the Vetting server it talks to.</p>
        <ol>
          <li>
            On the bench workstation, start the server with <code>vetting serve --json</code> (or find the one already running).
          </li>
          <li>
            It prints one line such as <code>{'{"control": "http://127.0.0.1:PORT", "bench": "…", "token": "…"}'}</code>.
          </li>
          <li>
            Open <code>CONTROL/?token=TOKEN</code> with those two values. The server remembers this browser with a cookie and
            removes the token from the address bar.
          </li>
        </ol>
        <p className="muted">The desktop app signs in by itself. A restarted server with a new token needs a new sign-in.</p>
        <button type="button" onClick={() => window.location.reload()}>
          I have signed in — reload
        </button>
      </div>
    </main>
  );
}
