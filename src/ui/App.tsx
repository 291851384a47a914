/** Placeholder shell; the dashboard lands with the in-tab member issue. */
export function App() {
  return (
    <main>
      <h1>ISCP committee node</h1>
      <p data-testid="status">starting</p>
    </main>
  );
}
