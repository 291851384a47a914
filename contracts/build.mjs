// Builds the AssemblyScript example contracts to contracts/build/*.wasm (filled in by the VM issue).
console.log('contracts: nothing to build yet');
