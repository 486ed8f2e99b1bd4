import { describe } from 'vitest';
import { mediaUrls } from '../../../src/checks/route/media-urls.js';
import { checkTester, snapshot } from '../../support/snapshot.js';

const body = (o: unknown) => snapshot({ target: { path: '/runway/v1/pro/video2video', body: JSON.stringify(o) } });

describe('route/media-urls', () => {
  checkTester(mediaUrls, [
    { name: 'public URL is fine', snap: body({ video: 'https://cdn.example.com/a.mp4' }), expect: [] },
    { name: 'localhost media URL', snap: body({ video: 'http://localhost:3001/uploads/a.mp4' }), expect: [{ code: 'REQUEST_MEDIA_URL_PRIVATE', status: 'warn', subject: { field: 'video' } }] },
    { name: 'private range in a nested array', snap: body({ input: { images: ['https://x.example.com/1.png', 'http://192.168.1.20/2.png'] } }), expect: [{ code: 'REQUEST_MEDIA_URL_PRIVATE', subject: { field: 'input.images[1]' } }] },
    { name: 'no body', snap: snapshot({ target: { path: '/runway/v1/x' } }), expect: [] },
  ]);
});
