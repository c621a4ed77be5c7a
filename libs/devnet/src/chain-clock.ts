// The devnet's clock: block and receipt times are Unix seconds, as the API serves them.
export const nowSeconds = () => Math.floor(Date.now() / 1000);
