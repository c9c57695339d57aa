export const fleetScenarios = [];
