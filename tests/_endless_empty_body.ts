/** A custom fetch whose 500 has a body that enqueues empty chunks forever. */
export function fetchEndlessEmptyChunks(): Promise<Response> {
  return Promise.resolve(
    new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          controller.enqueue(new Uint8Array(0));
        },
      }),
      { status: 500 },
    ),
  );
}
