export const hostileScenarios = [];
