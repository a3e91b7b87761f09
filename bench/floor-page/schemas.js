// The page-load floor with React and the shared zod schemas the UI checks its
// answers with (built as the UI's bundle builds them): one element, drawn once
// every schema exists. See bench/floor.ts.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import * as schemas from '../../common/schema/index.ts';

const built = Object.keys(schemas).length;
createRoot(document.getElementById('root')).render(createElement('p', { id: 'floor-drawn', 'data-exports': built }, 'drawn'));
