/**
 * Artifact uploads that go on beside the work that produced them. An upload
 * never throws and never changes a verdict, so the next tool need not wait for
 * the last one's report; whoever started them awaits `settled()` before it
 * reports its outcome, so nothing is still being sent after that.
 */
export function backgroundUploads(artifact: (name: string, body: string) => Promise<void>) {
  const pending: Promise<void>[] = [];
  return {
    upload(name: string, body: string): void {
      // The catch only keeps a broken uploader from becoming an unhandled rejection.
      pending.push(artifact(name, body).catch(() => undefined));
    },
    async settled(): Promise<void> {
      await Promise.all(pending);
    },
  };
}
