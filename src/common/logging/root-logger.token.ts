/** Injection token of the process's pino logger (provided by AppModule). */
export const ROOT_LOGGER_TOKEN = Symbol('ROOT_LOGGER');
