// The limit for any Worker in front of an origin: forward the request, return the answer.
interface PassthroughEnv {
  ORIGIN_URL: string;
}

export default {
  fetch(request: Request, env: PassthroughEnv): Promise<Response> {
    const url = new URL(request.url);
    return fetch(`${env.ORIGIN_URL}${url.pathname}${url.search}`, request);
  },
};
