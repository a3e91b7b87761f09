import { Component, type ErrorInfo, type ReactNode } from 'react';

// A render error in one view shows a readable box with a way back, never a
// blank window. Keyed by route in App so moving elsewhere clears it.

interface Props {
  children: ReactNode;
  where: string;
}
interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`UI error in ${this.props.where}:`, error, info.componentStack);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="panel error-box" role="alert">
        <h2>This view hit an error</h2>
        <p>
          The {this.props.where} could not be shown: <strong>{this.state.error.message}</strong>
        </p>
        <p>The rest of the bench keeps running; nothing was changed on the server.</p>
        <div className="row">
          <button type="button" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
          <a className="button" href="#/">
            Back to the board
          </a>
        </div>
      </div>
    );
  }
}
